"""How a token is compared: only an exact, case-sensitive equality keeps wrong tokens out."""

from __future__ import annotations

from . import Hit, rule


@rule("weak-token-comparison", "high", "Token checked with a partial or case-insensitive comparison",
      """A token is checked with contains, startsWith, endsWith, indexOf, or compared without case
      (toLower/toUpper on a side; startsWith, endsWith and indexOf also ignore case on the host). A longer
      string that contains the secret, a prefix of it, or the secret in another case gets in.""",
      "Compare the whole token with equals(<caller value>, <secret>), both sides untouched.")
def weak_token_comparison(facts):
    for check in facts.checks:
        cmp = check.comparison
        why = cmp.weakness
        if why is None:
            continue
        against = cmp.other.label() if cmp.other is not None else "the expected value"
        yield Hit(check.path, f"{cmp.source.label().capitalize()} is checked against {against} with {why}: "
                  "values that are not the token pass the check.", trigger=facts.trigger_label(check.trigger))
