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
    advertising?: {
      id5PartnerId?: string;
      rampIdJSPath?: string;
      dspEnabled?: boolean;
      advertiserSettings?: { advertiserId: string; enabled: boolean }[];
    };
    pushNotifications?: JsonObject;
    streamingMedia?: JsonObject;
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
    (command: "getLibraryInfo"): Promise<{ libraryInfo: LibraryInfo }>;
    (command: "createEventMergeId"): Promise<{ eventMergeId: string }>;
  }
}

interface Window {
  alloy: AlloyPy.Alloy;
}

declare var alloy: AlloyPy.Alloy;
