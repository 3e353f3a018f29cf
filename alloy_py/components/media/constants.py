"""alloy 2.33.1's media constants (``StreamingMedia/constants``, ``MediaAnalyticsBridge/constants``)."""

from __future__ import annotations

from typing import Final

__all__ = [
    "AD_METADATA_KEYS", "ADS_TO_XDM", "AUDIO_METADATA_KEYS", "EVENT", "EVENT_TYPES", "MEDIA_EVENTS_INTERNAL",
    "MEDIA_OBJECT_KEYS", "MEDIA_TO_XDM", "MEDIA_TYPE", "NEW_SESSION", "PLAYER_STATE", "STREAM_TYPE",
    "VIDEO_METADATA_KEYS",
]

NEW_SESSION: Final = "media-analytics:new-session"

EVENT_TYPES: Final = {
    "PAUSE": "media.pauseStart",
    "PLAY": "media.play",
    "BUFFER_START": "media.bufferStart",
    "AD_START": "media.adStart",
    "Ad_BREAK_START": "media.adBreakStart",
    "SESSION_END": "media.sessionEnd",
    "SESSION_START": "media.sessionStart",
    "SESSION_COMPLETE": "media.sessionComplete",
    "PING": "media.ping",
    "AD_BREAK_COMPLETE": "media.adBreakComplete",
    "AD_COMPLETE": "media.adComplete",
    "AD_SKIP": "media.adSkip",
    "BITRATE_CHANGE": "media.bitrateChange",
    "CHAPTER_COMPLETE": "media.chapterComplete",
    "CHAPTER_SKIP": "media.chapterSkip",
    "CHAPTER_START": "media.chapterStart",
    "ERROR": "media.error",
    "STATES_UPDATE": "media.statesUpdate",
}

MEDIA_TYPE: Final = {"Video": "video", "Audio": "audio"}
STREAM_TYPE: Final = {
    "VOD": "vod", "Live": "live", "Linear": "linear", "Podcast": "podcast", "Audiobook": "audiobook", "AOD": "aod",
}
PLAYER_STATE: Final = {
    "FullScreen": "fullScreen",
    "ClosedCaption": "closedCaptioning",
    "Mute": "mute",
    "PictureInPicture": "pictureInPicture",
    "InFocus": "inFocus",
}
EVENT: Final = {
    "AdBreakStart": "adBreakStart",
    "AdBreakComplete": "adBreakComplete",
    "AdStart": "adStart",
    "AdComplete": "adComplete",
    "AdSkip": "adSkip",
    "ChapterStart": "chapterStart",
    "ChapterComplete": "chapterComplete",
    "ChapterSkip": "chapterSkip",
    "SeekStart": "seekStart",
    "SeekComplete": "seekComplete",
    "BufferStart": "bufferStart",
    "BufferComplete": "bufferComplete",
    "BitrateChange": "bitrateChange",
    "StateStart": "stateStart",
    "StateEnd": "stateEnd",
}
MEDIA_EVENTS_INTERNAL: Final = {
    "SessionStart": "sessionStart",
    "SessionEnd": "sessionEnd",
    "SessionComplete": "sessionComplete",
    "Play": "play",
    "Pause": "pauseStart",
    "Error": "error",
    "StateUpdate": "statesUpdate",
}
MEDIA_OBJECT_KEYS: Final = {"MediaResumed": "media.resumed", "GranularAdTracking": "media.granularadtracking"}
VIDEO_METADATA_KEYS: Final = {
    "Show": "a.media.show",
    "Season": "a.media.season",
    "Episode": "a.media.episode",
    "AssetId": "a.media.asset",
    "Genre": "a.media.genre",
    "FirstAirDate": "a.media.airDate",
    "FirstDigitalDate": "a.media.digitalDate",
    "Rating": "a.media.rating",
    "Originator": "a.media.originator",
    "Network": "a.media.network",
    "ShowType": "a.media.type",
    "AdLoad": "a.media.adLoad",
    "MVPD": "a.media.pass.mvpd",
    "Authorized": "a.media.pass.auth",
    "DayPart": "a.media.dayPart",
    "Feed": "a.media.feed",
    "StreamFormat": "a.media.format",
}
AUDIO_METADATA_KEYS: Final = {
    "Artist": "a.media.artist",
    "Album": "a.media.album",
    "Label": "a.media.label",
    "Author": "a.media.author",
    "Station": "a.media.station",
    "Publisher": "a.media.publisher",
}
AD_METADATA_KEYS: Final = {
    "Advertiser": "a.media.ad.advertiser",
    "CampaignId": "a.media.ad.campaign",
    "CreativeId": "a.media.ad.creative",
    "PlacementId": "a.media.ad.placement",
    "SiteId": "a.media.ad.site",
    "CreativeUrl": "a.media.ad.creativeURL",
}
# The legacy context data keys that become XDM fields (the others become customMetadata).
MEDIA_TO_XDM: Final = {
    "a.media.show": "show",
    "a.media.season": "season",
    "a.media.episode": "episode",
    "a.media.asset": "assetID",
    "a.media.genre": "genre",
    "a.media.airDate": "firstAirDate",
    "a.media.digitalDate": "firstDigitalDate",
    "a.media.rating": "rating",
    "a.media.originator": "originator",
    "a.media.network": "network",
    "a.media.type": "showType",
    "a.media.adLoad": "adLoad",
    "a.media.pass.mvpd": "mvpd",
    "a.media.pass.auth": "authorized",
    "a.media.dayPart": "dayPart",
    "a.media.feed": "feed",
    "a.media.format": "streamFormat",
    "a.media.artist": "artist",
    "a.media.album": "album",
    "a.media.label": "label",
    "a.media.author": "author",
    "a.media.station": "station",
    "a.media.publisher": "publisher",
    "media.resumed": "hasResume",
}
ADS_TO_XDM: Final = {
    "a.media.ad.advertiser": "advertiser",
    "a.media.ad.campaign": "campaignID",
    "a.media.ad.creative": "creativeID",
    "a.media.ad.placement": "placementID",
    "a.media.ad.site": "siteID",
    "a.media.ad.creativeURL": "creativeURL",
}
