// Types of the script-tag API: window.alloy(command, options), as alloy-py.js serves it.
// The same commands, options and results as alloy_py/commands.py (Python); keys are alloy's.
// Use: /// <reference path="alloy-py.d.ts" />  (or list it in tsconfig.json "files").

declare namespace AlloyPy {
  type Json = any;
  type JsonObject = { [key: string]: Json };
  type InteractionSetting = "always" | "never" | "decoratedElementsOnly";

  interface Proposition {
    id: string;
    scope: string;
    scopeDetails?: JsonObject;
    items: JsonObject[];
    renderAttempted?: boolean;
    [key: string]: Json;
  }

  interface IdentityItem {
    id: string;
    authenticatedState?: "ambiguous" | "authenticated" | "loggedOut";
    primary?: boolean;
    xid?: string;
  }
  type IdentityMap = { [namespace: string]: IdentityItem[] };

  interface ConfigureOptions {
    datastreamId?: string;
    /** @deprecated use datastreamId */
    edgeConfigId?: string;
    orgId: string;
    edgeDomain?: string;
    edgeBasePath?: string;
    debugEnabled?: boolean;
    onBeforeEventSend?: (content: { xdm: JsonObject; data: JsonObject }) => boolean | void;
    edgeConfigOverrides?: JsonObject;
    defaultConsent?: "in" | "out" | "pending";
    idMigrationEnabled?: boolean;
    thirdPartyCookiesEnabled?: boolean;
    context?: Array<"web" | "device" | "environment" | "placeContext" | "highEntropyUserAgentHints"
      | "oneTimeAnalyticsReferrer">;
    prehidingStyle?: string;
    targetMigrationEnabled?: boolean;
    autoCollectPropositionInteractions?: { AJO?: InteractionSetting; TGT?: InteractionSetting };
    clickCollectionEnabled?: boolean;
    clickCollection?: {
      internalLinkEnabled?: boolean;
      externalLinkEnabled?: boolean;
      downloadLinkEnabled?: boolean;
      sessionStorageEnabled?: boolean;
      eventGroupingEnabled?: boolean;
      filterClickDetails?: (details: JsonObject) => boolean | void;
    };
    downloadLinkQualifier?: string;
    /** @deprecated use clickCollection.filterClickDetails */
    onBeforeLinkClickSend?: (options: JsonObject) => boolean | void;
    personalizationStorageEnabled?: boolean;
    conversation?: { stickyConversationSession?: boolean; streamTimeout?: number; collectSources?: boolean };
    /** All three, or sendPushSubscription rejects ("Push notifications module is not configured."). */
    pushNotifications?: { vapidPublicKey: string; appId: string; trackingDatasetId: string };
    /** Seconds: mainPingInterval 10 to 50, adPingInterval 1 to 10 (both default 10). */
    streamingMedia?: { channel: string; playerName: string; appVersion?: string; mainPingInterval?: number;
      adPingInterval?: number };
    advertising?: {
      id5PartnerId?: string;
      rampIdJSPath?: string;
      dspEnabled?: boolean;
      advertiserSettings?: { advertiserId: string; enabled: boolean }[];
    };
  }

  interface PersonalizationOptions {
    decisionScopes?: string[];
    surfaces?: string[];
    sendDisplayEvent?: boolean;
    includeRenderedPropositions?: boolean;
    defaultPersonalizationEnabled?: boolean;
    decisionContext?: JsonObject;
  }

  interface SendEventOptions {
    type?: string;
    xdm?: JsonObject;
    data?: JsonObject;
    documentUnloading?: boolean;
    renderDecisions?: boolean;
    decisionScopes?: string[];
    personalization?: PersonalizationOptions;
    /** @deprecated use edgeConfigOverrides */
    datasetId?: string;
    mergeId?: string;
    edgeConfigOverrides?: JsonObject;
    advertising?: { handleAdvertisingData?: "disabled" | "wait" | "auto" };
  }

  interface SendEventResult {
    propositions: Proposition[];
    /** @deprecated by alloy: the propositions that were not rendered */
    decisions: Proposition[];
    destinations?: JsonObject[];
    inferences?: JsonObject[];
  }

  interface ApplyResponseOptions {
    renderDecisions?: boolean;
    responseHeaders?: { [name: string]: string };
    responseBody: { handle: Array<{ type: string; payload: Json }>; [key: string]: Json };
    personalization?: PersonalizationOptions;
  }

  interface ApplyPropositionsOptions {
    propositions: Proposition[];
    metadata?: { [scope: string]: { selector?: string; actionType?: string } };
    viewName?: string;
  }

  interface EvaluateRulesetsOptions {
    renderDecisions?: boolean;
    personalization?: { decisionContext?: JsonObject };
  }

  type PropositionEventType = "display" | "interact" | "trigger" | "dismiss" | "suppressDisplay";

  interface SubscribeRulesetItemsOptions {
    surfaces?: string[];
    schemas?: string[];
    callback: (
      result: { propositions: Proposition[] },
      collectEvent: (type: PropositionEventType, propositions: Proposition[]) => Promise<unknown>,
    ) => void;
  }

  interface GetIdentityOptions {
    namespaces?: Array<"ECID" | "CORE">;
    edgeConfigOverrides?: JsonObject;
  }

  interface GetIdentityResult {
    identity: { ECID?: string; CORE?: string };
    edge?: { regionId?: number };
  }

  interface Consent {
    standard: string;
    version: string;
    value: Json;
    gdprApplies?: boolean;
    gdprContainsPersonalData?: boolean;
  }

  interface LibraryInfo {
    version: string;
    configs: JsonObject;
    commands: string[];
    components: string[];
  }

  type Empty = Record<string, never>;

  /** BrandConcierge: message or data asks (answered through onStreamResponse); xdm alone (feedback) does not. */
  interface SendConversationEventOptions {
    message?: string;
    data?: { type: string; payload?: JsonObject };
    xdm?: {
      interactionId?: string;
      conversationId?: string;
      conversation?: { feedback?: { classification?: string; comment?: string; reasons?: string[] } };
      [key: string]: Json | undefined;
    };
    /** Each streamed event's brand-concierge:conversation payloads, or {error} (a stream error or timeout). */
    onStreamResponse?: (response: JsonObject[] | { error: Error | { message: string } }) => void;
    voiceEnabled?: boolean;
  }

  interface CreateMediaSessionOptions {
    playerId?: string;
    /** Called at the session start and every event and ping: the player's playhead and QoE now. */
    getPlayerDetails?: (args: { playerId: string }) => { playhead: number; qoeDataDetails?: JsonObject };
    xdm: JsonObject;
    edgeConfigOverrides?: JsonObject;
  }

  interface MediaTracker {
    trackSessionStart(mediaObject: JsonObject, contextData?: JsonObject): Promise<JsonObject> | Empty;
    trackPlay(): Promise<void> | Empty;
    trackPause(): Promise<void> | Empty;
    trackComplete(): Promise<void> | Empty;
    trackSessionEnd(): Promise<void> | Empty;
    trackError(errorId: string): Promise<void> | Empty;
    trackEvent(event: string, info?: JsonObject, contextData?: JsonObject): Promise<void> | Empty;
    updatePlayhead(time: number): void;
    updateQoEObject(qoe: JsonObject): void;
    destroy(): void;
  }

  /** The legacy Media Analytics API (getMediaAnalyticsTracker). */
  interface MediaAnalyticsApi {
    getInstance(): MediaTracker;
    createMediaObject(name: string, id: string, length: number, streamType: string, mediaType: string): JsonObject;
    createAdBreakObject(name: string, position: number, startTime: number): JsonObject;
    createAdObject(name: string, id: string, position: number, length: number): JsonObject;
    createChapterObject(name: string, position: number, length: number, startTime: number): JsonObject;
    createStateObject(stateName: string): JsonObject;
    createQoEObject(bitrate: number, startupTime: number, fps: number, droppedFrames: number): JsonObject;
    Event: Record<string, string>;
    MediaType: Record<string, string>;
    StreamType: Record<string, string>;
    PlayerState: Record<string, string>;
    MediaObjectKey: Record<string, string>;
    VideoMetadataKeys: Record<string, string>;
    AudioMetadataKeys: Record<string, string>;
    AdMetadataKeys: Record<string, string>;
    version: string;
  }

  /** window.alloy: each command with its options and what its promise resolves to. */
  interface Alloy {
    (command: "configure", options: ConfigureOptions): Promise<Empty>;
    (command: "sendEvent", options?: SendEventOptions): Promise<SendEventResult>;
    (command: "applyResponse", options: ApplyResponseOptions): Promise<SendEventResult>;
    (command: "applyPropositions", options: ApplyPropositionsOptions): Promise<{ propositions: Proposition[] }>;
    (command: "getIdentity", options?: GetIdentityOptions): Promise<GetIdentityResult>;
    (command: "appendIdentityToUrl", options: { url: string; edgeConfigOverrides?: JsonObject }): Promise<{ url: string }>;
    (command: "setConsent", options: { consent: Consent[]; identityMap?: IdentityMap; edgeConfigOverrides?: JsonObject }):
      Promise<Empty>;
    (command: "setDebug", options: { enabled: boolean }): Promise<Empty>;
    (command: "evaluateRulesets", options?: EvaluateRulesetsOptions): Promise<{ propositions: Proposition[] }>;
    (command: "subscribeRulesetItems", options: SubscribeRulesetItemsOptions): Promise<{ unsubscribe: () => void }>;
    (command: "sendPushSubscription", options?: Empty): Promise<Empty>;
    (command: "getLibraryInfo"): Promise<{ libraryInfo: LibraryInfo }>;
    (command: "createEventMergeId"): Promise<{ eventMergeId: string }>;
    (command: "sendConversationEvent", options?: SendConversationEventOptions): Promise<Empty>;
    (command: "createMediaSession", options: CreateMediaSessionOptions): Promise<SendEventResult & { sessionId?: string }>;
    (command: "sendMediaEvent", options: { playerId?: string; xdm: JsonObject }): Promise<Empty>;
    (command: "getMediaAnalyticsTracker"): Promise<MediaAnalyticsApi>;
  }
}

interface Window {
  alloy: AlloyPy.Alloy;
}

declare var alloy: AlloyPy.Alloy;
