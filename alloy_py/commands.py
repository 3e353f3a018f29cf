"""The commands' options and results, typed: what ``mypy --strict`` checks user code against.

Keys are alloy's (``datastreamId``, ``renderDecisions``), so alloy's documentation
applies. Values the SDK passes through untouched (XDM, ``data``, propositions) stay
``dict[str, Any]``: their shape is the datastream's, not the SDK's. At run time every
command still validates its options as alloy does; these types only let a type checker
refuse a misspelt command or option before the page runs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal, Protocol, Required, TypedDict, overload

__all__ = [
    "AppendIdentityToUrlOptions",
    "AppendIdentityToUrlResult",
    "ApplyPropositionsOptions",
    "ApplyPropositionsResult",
    "ApplyResponseOptions",
    "ApplyResponseResult",
    "AdvertiserSetting",
    "AdvertisingConfig",
    "AdvertisingOptions",
    "AlloyCommands",
    "AutoCollectPropositionInteractions",
    "ClickCollection",
    "CommandName",
    "ConfigureOptions",
    "Consent",
    "CreateEventMergeIdResult",
    "CreateMediaSessionOptions",
    "CreateMediaSessionResult",
    "MediaAnalyticsTracker",
    "EmptyResult",
    "EvaluateRulesetsOptions",
    "EvaluateRulesetsResult",
    "GetIdentityOptions",
    "GetIdentityResult",
    "GetLibraryInfoResult",
    "IdentityMap",
    "LibraryInfo",
    "PersonalizationOptions",
    "Proposition",
    "SendConversationEventOptions",
    "PushNotifications",
    "SendEventOptions",
    "SendEventResult",
    "SendPushSubscriptionOptions",
    "SendMediaEventOptions",
    "StreamingMediaOptions",
    "SetConsentOptions",
    "SetDebugOptions",
    "SubscribeRulesetItemsOptions",
    "SubscribeRulesetItemsResult",
]

CommandName = Literal[
    "configure", "setDebug", "sendEvent", "applyResponse", "applyPropositions", "getIdentity",
    "appendIdentityToUrl", "setConsent", "getLibraryInfo", "createEventMergeId", "evaluateRulesets",
    "subscribeRulesetItems", "sendConversationEvent", "sendPushSubscription",
    "createMediaSession", "sendMediaEvent", "getMediaAnalyticsTracker",
]
"""The commands alloy-py has."""

JsonObject = dict[str, Any]
Proposition = dict[str, Any]
"""A proposition as the Edge returns it (``id``, ``scope``, ``scopeDetails``, ``items``), plus
``renderAttempted`` in results."""


class IdentityItem(TypedDict, total=False):
    id: Required[str]
    authenticatedState: Literal["ambiguous", "authenticated", "loggedOut"]
    primary: bool
    xid: str


IdentityMap = dict[str, list[IdentityItem]]
"""``{namespace: [{id, authenticatedState, primary}]}``."""


class ClickCollection(TypedDict, total=False):
    internalLinkEnabled: bool
    externalLinkEnabled: bool
    downloadLinkEnabled: bool
    sessionStorageEnabled: bool
    eventGroupingEnabled: bool
    filterClickDetails: Callable[[JsonObject], bool | None]


class AutoCollectPropositionInteractions(TypedDict, total=False):
    AJO: Literal["always", "never", "decoratedElementsOnly"]
    TGT: Literal["always", "never", "decoratedElementsOnly"]


class Conversation(TypedDict, total=False):
    stickyConversationSession: bool
    streamTimeout: int
    collectSources: bool


class PushNotifications(TypedDict):
    """``pushNotifications``: all three, or ``sendPushSubscription`` rejects (module not configured)."""

    vapidPublicKey: str  # the push service's VAPID public key, base64 (URL-safe or not)
    appId: str
    trackingDatasetId: str  # where alloy's service worker sends its tracking calls
class StreamingMediaOptions(TypedDict, total=False):
    channel: Required[str]
    playerName: Required[str]
    appVersion: str
    mainPingInterval: float  # seconds, 10 to 50 (default 10)
    adPingInterval: float  # seconds, 1 to 10 (default 10)


class AdvertiserSetting(TypedDict):
    advertiserId: str
    enabled: bool


class AdvertisingConfig(TypedDict, total=False):
    id5PartnerId: str
    rampIdJSPath: str
    dspEnabled: bool
    advertiserSettings: list[AdvertiserSetting]


class AdvertisingOptions(TypedDict, total=False):
    handleAdvertisingData: Literal["disabled", "wait", "auto"]


class ConfigureOptions(TypedDict, total=False):
    datastreamId: str
    edgeConfigId: str  # deprecated: datastreamId
    orgId: Required[str]
    edgeDomain: str
    edgeBasePath: str
    debugEnabled: bool
    onBeforeEventSend: Callable[[JsonObject], bool | None]
    edgeConfigOverrides: JsonObject
    defaultConsent: Literal["in", "out", "pending"]
    idMigrationEnabled: bool
    thirdPartyCookiesEnabled: bool
    context: list[Literal["web", "device", "environment", "placeContext", "highEntropyUserAgentHints",
                          "oneTimeAnalyticsReferrer"]]
    prehidingStyle: str
    targetMigrationEnabled: bool
    autoCollectPropositionInteractions: AutoCollectPropositionInteractions
    clickCollectionEnabled: bool
    clickCollection: ClickCollection
    downloadLinkQualifier: str
    onBeforeLinkClickSend: Callable[[JsonObject], bool | None]  # deprecated: clickCollection.filterClickDetails
    personalizationStorageEnabled: bool
    conversation: Conversation
    advertising: AdvertisingConfig
    pushNotifications: PushNotifications
    streamingMedia: StreamingMediaOptions


class PersonalizationOptions(TypedDict, total=False):
    decisionScopes: list[str]
    surfaces: list[str]
    sendDisplayEvent: bool
    includeRenderedPropositions: bool
    defaultPersonalizationEnabled: bool
    decisionContext: JsonObject


class SendEventOptions(TypedDict, total=False):
    type: str
    xdm: JsonObject
    data: JsonObject
    documentUnloading: bool
    renderDecisions: bool
    decisionScopes: list[str]
    personalization: PersonalizationOptions
    datasetId: str  # deprecated: edgeConfigOverrides
    mergeId: str
    edgeConfigOverrides: JsonObject
    advertising: AdvertisingOptions


class SendEventResult(TypedDict, total=False):
    propositions: Required[list[Proposition]]
    decisions: Required[list[Proposition]]  # deprecated by alloy: the propositions not rendered
    destinations: list[JsonObject]
    inferences: list[JsonObject]


class ApplyResponseOptions(TypedDict, total=False):
    renderDecisions: bool
    responseHeaders: dict[str, str]
    responseBody: Required[JsonObject]
    personalization: PersonalizationOptions


ApplyResponseResult = SendEventResult


class ApplyPropositionsOptions(TypedDict, total=False):
    propositions: Required[list[Proposition]]
    metadata: dict[str, JsonObject]
    viewName: str


class ApplyPropositionsResult(TypedDict):
    propositions: list[Proposition]


class _DecisionContext(TypedDict, total=False):
    decisionContext: JsonObject


class EvaluateRulesetsOptions(TypedDict, total=False):
    renderDecisions: bool
    personalization: _DecisionContext


class EvaluateRulesetsResult(TypedDict):
    propositions: list[Proposition]


CollectEvent = Callable[[Literal["display", "interact", "trigger", "dismiss", "suppressDisplay"], list[Proposition]],
                        Awaitable[Any]]
"""``collectEvent(propositionEventType, propositions)``, the second argument of a ruleset subscriber."""


class SubscribeRulesetItemsOptions(TypedDict, total=False):
    surfaces: list[str]
    schemas: list[str]
    callback: Required[Callable[[EvaluateRulesetsResult, CollectEvent], Any]]


class SubscribeRulesetItemsResult(TypedDict):
    unsubscribe: Callable[[], None]


class GetIdentityOptions(TypedDict, total=False):
    namespaces: list[Literal["ECID", "CORE"]]
    edgeConfigOverrides: JsonObject


class _Identity(TypedDict, total=False):
    ECID: str
    CORE: str


class _Edge(TypedDict, total=False):
    regionId: int


class GetIdentityResult(TypedDict, total=False):
    identity: Required[_Identity]
    edge: _Edge


class AppendIdentityToUrlOptions(TypedDict, total=False):
    url: Required[str]
    edgeConfigOverrides: JsonObject


class AppendIdentityToUrlResult(TypedDict):
    url: str


class Consent(TypedDict, total=False):
    standard: Required[str]  # "Adobe", "IAB TCF"
    version: Required[str]
    value: Required[Any]
    gdprApplies: bool  # IAB TCF
    gdprContainsPersonalData: bool  # IAB TCF


class SetConsentOptions(TypedDict, total=False):
    consent: Required[list[Consent]]
    identityMap: IdentityMap
    edgeConfigOverrides: JsonObject


class SetDebugOptions(TypedDict):
    enabled: bool


class LibraryInfo(TypedDict):
    version: str
    configs: JsonObject
    commands: list[str]
    components: list[str]


class GetLibraryInfoResult(TypedDict):
    libraryInfo: LibraryInfo


class CreateEventMergeIdResult(TypedDict):
    eventMergeId: str


class ConversationFeedback(TypedDict, total=False):
    classification: str
    comment: str
    reasons: list[str]


class _ConversationXdm(TypedDict, total=False):
    feedback: ConversationFeedback


class ConversationXdm(TypedDict, total=False):
    interactionId: str
    conversationId: str
    conversation: _ConversationXdm


class ConversationData(TypedDict, total=False):
    type: Required[str]
    payload: JsonObject


class SendConversationEventOptions(TypedDict, total=False):
    """``message`` or ``data`` asks (the answer streams to ``onStreamResponse``); ``xdm`` alone (feedback)
    is sent without asking. ``onStreamResponse`` gets each event's ``brand-concierge:conversation``
    payloads (a list), or ``{"error": …}`` (a stream error, or ``{"message": "Stream timeout: …"}``)."""

    message: str
    data: ConversationData
    xdm: ConversationXdm | JsonObject
    onStreamResponse: Callable[[Any], object]
    voiceEnabled: bool
class SendPushSubscriptionOptions(TypedDict):
    """``sendPushSubscription`` takes no options (``{}`` or none)."""
class CreateMediaSessionOptions(TypedDict, total=False):
    playerId: str
    getPlayerDetails: Callable[[JsonObject], JsonObject]  # ({playerId}) -> {playhead, qoeDataDetails}
    xdm: Required[JsonObject]  # mediaCollection.sessionDetails (and playhead without a player)
    edgeConfigOverrides: JsonObject


class CreateMediaSessionResult(TypedDict, total=False):
    sessionId: str
    propositions: list[Proposition]
    decisions: list[Proposition]


class SendMediaEventOptions(TypedDict, total=False):
    playerId: str
    xdm: Required[JsonObject]  # eventType ("media.play"…), mediaCollection


MediaAnalyticsTracker = dict[str, Any]
"""``getMediaAnalyticsTracker``'s legacy Media Analytics API: ``getInstance()``, the
``create…Object`` helpers and the ``Event``/``MediaType``/``StreamType``… constants."""


class EmptyResult(TypedDict):
    """``configure``, ``setDebug``, ``setConsent`` and ``sendPushSubscription`` resolve ``{}``."""


class AlloyCommands(Protocol):
    """``alloy(command, options)``: each command with its options and what it resolves to.

    ``alloy_py.alloy`` and every :class:`~alloy_py.Instance` are called this way, so a type
    checker refuses ``alloy("sendEvnt", …)`` or ``{"renderDecisions": "yes"}``.
    """

    @overload
    def __call__(self, command: Literal["configure"], options: ConfigureOptions, /) -> Awaitable[EmptyResult]: ...
    @overload
    def __call__(
        self, command: Literal["sendEvent"], options: SendEventOptions = ..., /
    ) -> Awaitable[SendEventResult]: ...
    @overload
    def __call__(
        self, command: Literal["applyResponse"], options: ApplyResponseOptions, /
    ) -> Awaitable[ApplyResponseResult]: ...
    @overload
    def __call__(
        self, command: Literal["applyPropositions"], options: ApplyPropositionsOptions, /
    ) -> Awaitable[ApplyPropositionsResult]: ...
    @overload
    def __call__(
        self, command: Literal["getIdentity"], options: GetIdentityOptions = ..., /
    ) -> Awaitable[GetIdentityResult]: ...
    @overload
    def __call__(
        self, command: Literal["appendIdentityToUrl"], options: AppendIdentityToUrlOptions, /
    ) -> Awaitable[AppendIdentityToUrlResult]: ...
    @overload
    def __call__(self, command: Literal["setConsent"], options: SetConsentOptions, /) -> Awaitable[EmptyResult]: ...
    @overload
    def __call__(self, command: Literal["setDebug"], options: SetDebugOptions, /) -> Awaitable[EmptyResult]: ...
    @overload
    def __call__(
        self, command: Literal["evaluateRulesets"], options: EvaluateRulesetsOptions = ..., /
    ) -> Awaitable[EvaluateRulesetsResult]: ...
    @overload
    def __call__(
        self, command: Literal["subscribeRulesetItems"], options: SubscribeRulesetItemsOptions, /
    ) -> Awaitable[SubscribeRulesetItemsResult]: ...
    @overload
    def __call__(
        self, command: Literal["sendPushSubscription"], options: SendPushSubscriptionOptions = ..., /
    ) -> Awaitable[EmptyResult]: ...
    @overload
    def __call__(self, command: Literal["getLibraryInfo"], /) -> Awaitable[GetLibraryInfoResult]: ...
    @overload
    def __call__(self, command: Literal["createEventMergeId"], /) -> Awaitable[CreateEventMergeIdResult]: ...
    @overload
    def __call__(
        self, command: Literal["sendConversationEvent"], options: SendConversationEventOptions = ..., /
    ) -> Awaitable[EmptyResult]: ...
    @overload
    def __call__(
        self, command: Literal["createMediaSession"], options: CreateMediaSessionOptions, /
    ) -> Awaitable[CreateMediaSessionResult]: ...
    @overload
    def __call__(
        self, command: Literal["sendMediaEvent"], options: SendMediaEventOptions, /
    ) -> Awaitable[EmptyResult]: ...
    @overload
    def __call__(self, command: Literal["getMediaAnalyticsTracker"], /) -> Awaitable[MediaAnalyticsTracker]: ...
