"""Registration (报名注册): meetings, the roster of attendees, check-in."""
