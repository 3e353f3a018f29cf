"""RulesEngine: rulesets the Edge sends, evaluated in the page on every event.

=====================  ===============================================================
module                 what it holds
=====================  ===============================================================
``component``          the component: rulesets kept per activity, evaluation, its commands
``engine``             the rules engine (aep-rules-engine): conditions, matchers, history
``context``            what rules are evaluated against (page, time, event), flattened
``history``            the event history (FNV hashes, local storage, pruning)
``subscriptions``      ``subscribeRulesetItems`` callbacks and their ``collectEvent``
=====================  ===============================================================
"""

from __future__ import annotations

from .component import RulesEngine

__all__ = ["RulesEngine"]
