"""Parity scenarios: Streaming media and the legacy Media Analytics tracker.

The session start is answered with a ``media-analytics:new-session`` handle (its sessionId),
media events to ``/va/v1/<action>`` with the default (empty) answer.
"""
from __future__ import annotations

import copy

from alloy_py_dev.samples import IDENTITY_ANSWER

from .harness import Scenario
from .scenarios import configure, js
from .scenarios_apply import EMPTY_EDGE, chain

MEDIA = {"channel": "Video channel", "playerName": "parity player", "appVersion": "2.0"}
SESSION_ANSWER = copy.deepcopy(IDENTITY_ANSWER)
SESSION_ANSWER["handle"].append({"type": "media-analytics:new-session", "payload": [{"sessionId": "media-s1"}]})
DETAILS = {"mediaCollection": {"sessionDetails": {"name": "intro", "friendlyName": "Intro", "length": 60,
                                                  "contentType": "vod", "streamType": "video"}}}
PLAYER = "function (args) { return {playhead: 3.4, qoeDataDetails: {bitrate: 500, player: args.playerId}}; }"


def session(player_id: str = "v1") -> str:
    return (f"'createMediaSession', {{playerId: {js(player_id)}, getPlayerDetails: {PLAYER}, "
            f"xdm: {js(DETAILS)}}}")


def media_event(event_type: str, player_id: str = "v1", **collection: object) -> str:
    xdm: dict = {"eventType": event_type}
    if collection:
        xdm["mediaCollection"] = collection
    return f"'sendMediaEvent', {js({'playerId': player_id, 'xdm': xdm})}"


def media(name: str, *calls: str, requests: int, config: dict | None = None, **kw: object) -> Scenario:
    return Scenario(name, configure(streamingMedia=config or MEDIA) + chain(*calls),
                    edge_answers=[{"body": SESSION_ANSWER}], edge_default=EMPTY_EDGE, requests=requests,
                    **kw)  # type: ignore[arg-type]


PLAYERLESS_PLAY = {"playhead": 5, "sessionID": "media-s1"}
PLAYERLESS = {"mediaCollection": {"playhead": 0, "sessionDetails": {"name": "live", "channel": "own channel"}}}

TRACKER = """
record(alloy('getMediaAnalyticsTracker').then(function (api) {
  var tracker = api.getInstance();
  var results = [tracker.trackPlay(), tracker.updatePlayhead(4)];
  var media = api.createMediaObject('Intro', 'intro-1', 59.5, api.StreamType.VOD, api.MediaType.Video);
  var qoe = api.createQoEObject(800, 2, 30, 1);
  results.push(media, qoe, api.createStateObject('bad name!'), api.createAdObject('ad', 'ad-1', 1, 15),
               api.createChapterObject('c1', 1, 30, 0), api.createAdBreakObject('pre', 1, 0));
  return tracker.trackSessionStart(media, {'a.media.show': 'Show', 'custom': 'x'}).then(function (started) {
    results.push(started);
    tracker.updatePlayhead(12.9);
    tracker.updateQoEObject(qoe);
    return tracker.trackPlay();
  }).then(function (played) {
    results.push(played === undefined ? 'undefined' : played);
    return tracker.trackEvent(api.Event.StateStart, api.createStateObject('fullscreen'));
  }).then(function () { return tracker.trackError('boom'); })
    .then(function () { return tracker.trackComplete(); })
    .then(function () {
      tracker.destroy();
      results.push(tracker.trackPause());
      var constants = {};
      Object.keys(api).forEach(function (key) {
        constants[key] = typeof api[key] === 'function' ? 'function' : api[key];
      });
      results.push(constants);
      return results;
    });
}));
"""

FRACTIONAL_PLAYHEAD = {"playhead": 1.5, "sessionID": "s"}

SCENARIOS: list[Scenario] = [
    # Session start as a sendEvent (its sessionId from the handle), then events to /va/v1/<action>.
    media("media_session_events",
          session(), media_event("media.play"), media_event("media.pauseStart"),
          media_event("media.sessionComplete"), requests=4, fast=True),
    # Without a player: the second forms (playhead in the call, sessionID in each event); no pings.
    media("media_session_without_player",
          f"'createMediaSession', {js({'xdm': PLAYERLESS})}",
          f"'sendMediaEvent', {js({'xdm': {'eventType': 'media.play', 'mediaCollection': PLAYERLESS_PLAY}})}",
          requests=2),
    # mainPingInterval's minimum is 10 s (alloy's validator): the first ping, 10 s after the play.
    media("media_ping_after_main_interval", session(), media_event("media.play"), requests=3, settle_ms=500),
    media("media_ad_start_player_name", session(),
          media_event("media.adStart", advertisingDetails={"name": "ad-1", "length": 15}), requests=2),
    Scenario("media_legacy_tracker", configure(streamingMedia=MEDIA) + TRACKER,
             edge_answers=[{"body": SESSION_ANSWER}], edge_default=EMPTY_EDGE, requests=5,
             intended={"results[1].resolved[11].version": "alloy-py's version, as getLibraryInfo's "
                                                          "(alloy.js: WEBSDK 2.33.1)",
                       "results[1].resolved[2].sessionDetails.show": "alloy.js writes trackSessionStart's context "
                       "data into the page's own media object (a shallow copy); alloy-py leaves it untouched"}),
    # Invalid options: configure's streamingMedia, then command options and a missing configuration.
    Scenario("media_invalid_config",
             configure(streamingMedia={"channel": "", "playerName": "p", "mainPingInterval": 5,
                                       "adPingInterval": 11, "other": 1})),
    Scenario("media_invalid_options", configure() + chain(
        "'createMediaSession', {playerId: 'v1'}",
        "'getMediaAnalyticsTracker'",
        f"'createMediaSession', {js({'playerId': 'v1', 'xdm': {'mediaCollection': {'sessionDetails': 1}}})}",
        "'sendMediaEvent', {playerId: 'v1', xdm: {eventType: 'media.nope'}}",
        f"'sendMediaEvent', {js({'xdm': {'eventType': 'media.play', 'mediaCollection': FRACTIONAL_PLAYHEAD}})}",
        "'sendMediaEvent', {playerId: 'v1', xdm: {eventType: 'media.play'}}",
        "'createMediaSession'",
    )),
    # An event for a player without a session: alloy.js fails reading its missing cache entry.
    media("media_event_without_session", media_event("media.play", "v9"), session(), media_event("media.play", "v9"),
          requests=1, intended={
              "results[1].rejected": "alloy.js rejects with a TypeError (Cannot read properties of undefined "
                                     "(reading 'v9'), then 'then'); alloy-py with alloy's own 'Session ID is not "
                                     "available for playerId: v9.'",
              "results[3].rejected": "the same"}),
]
