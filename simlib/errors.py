"""Errors a user can act on.

Every problem with a scenario, an override or a command-line argument is raised as a
:class:`ScenarioError` carrying one readable line per problem. The CLI prints those lines
and exits with code 2; it never shows a traceback for bad input.
"""

from __future__ import annotations

from simlib.i18n import ngettext


class ScenarioError(ValueError):
    """A scenario, override or parameter that cannot be used, with one message per problem.

    Parameters
    ----------
    messages
        Readable lines, each naming the field path and what is allowed, e.g.
        ``"organization.headcount: 0 is out of range; allowed 1 to 1000000"``.
    source
        Where the scenario came from (a path or ``"<dict>"``), shown before the messages.
    """

    def __init__(self, messages: list[str] | str, source: str | None = None) -> None:
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        self.source = source
        super().__init__(self.render())

    def render(self) -> str:
        head = f"{self.source}: " if self.source else ""
        if len(self.messages) == 1:
            return head + self.messages[0]
        count = ngettext("{count} problem", "{count} problems", len(self.messages))
        listed = "\n".join(f"  - {m}" for m in self.messages)
        return head + count.format(count=len(self.messages)) + "\n" + listed
