"""席位卡: the name cards that stand on the podium and the tables, printed from a seating plan."""
