"""The quorum rule of a meeting (开会的法定人数): how many of the members expected must be present.

Offices name the rule in the words of their statutes, so the choice is one of those rules, not
a free fraction. In Chinese legal texts "以上" includes the number itself (三分之二以上: two
thirds or more) while "过半数" and "超过" do not (more than half: 10 of 20 is not enough).

- ``more_than_half`` 过半数 (the default): most committees and plenary meetings.
- ``at_least_two_thirds`` 三分之二以上: e.g. a villagers' representative assembly.
- ``at_least_three_quarters`` 四分之三以上: where a charter asks for it.
- ``more_than_four_fifths`` 超过五分之四: an election at a Party organisation's meeting.
"""

from __future__ import annotations

from enum import StrEnum


class QuorumRule(StrEnum):
    more_than_half = "more_than_half"
    at_least_two_thirds = "at_least_two_thirds"
    at_least_three_quarters = "at_least_three_quarters"
    more_than_four_fifths = "more_than_four_fifths"

    @property
    def label(self) -> str:
        """The rule as the statute says it."""
        return LABELS[self]

    def required(self, expected: int) -> int:
        """The fewest members present that satisfy the rule; at least one, so a meeting with no
        members expected is never quorate."""
        numerator, denominator, inclusive = FRACTIONS[self]
        share = expected * numerator
        # Integer arithmetic: a float would make 2/3 of 30 come out as 20.000000000000004.
        needed = -(-share // denominator) if inclusive else share // denominator + 1
        return max(needed, 1)


# rule → (numerator, denominator, whether the fraction itself is enough)
FRACTIONS = {
    QuorumRule.more_than_half: (1, 2, False),
    QuorumRule.at_least_two_thirds: (2, 3, True),
    QuorumRule.at_least_three_quarters: (3, 4, True),
    QuorumRule.more_than_four_fifths: (4, 5, False),
}
LABELS = {
    QuorumRule.more_than_half: "过半数",
    QuorumRule.at_least_two_thirds: "三分之二以上",
    QuorumRule.at_least_three_quarters: "四分之三以上",
    QuorumRule.more_than_four_fifths: "超过五分之四",
}
