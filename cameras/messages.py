"""Every message of the two sockets, written once: what a client may send (and which consumer
method handles it), what the server sends, and how a socket closes.

The consumers dispatch by this catalogue (a type a socket does not list is refused with an
`error` `invalid`), and the AsyncAPI document at /api/asyncapi/ (config.asyncapi) is built from
it, so the two cannot drift; tests/contract/test_asyncapi.py drives both sockets and holds
every frame they send to the payloads written here. A new message (a chat line, a raised
hand) is one `Message` added to its socket's `receives` or `sends`, with the handler it names.

Payloads are JSON Schema (draft 7, what AsyncAPI 3.0 takes). Values that may grow (error
codes, end reasons) are listed in `x-extensible-enum`, not enumerated, as in the OpenAPI
schema: a client must read an unknown one as unknown.
"""

from dataclasses import dataclass, field

from .models import LiveWatch

# --- JSON Schema helpers ---------------------------------------------------------------------

TIME = {"type": "string", "format": "date-time", "description": "ISO 8601, UTC."}
WATCH_ID = {"type": "string", "format": "uuid", "description": "The watch, as the server named it."}
SDP = {"type": "string", "description": "A WebRTC session description (at most 32,000 chars)."}
ICE = {
    "type": ["object", "null"],
    "description": "An RTCIceCandidate as JSON (at most 2,000 chars), or null: no more.",
}
ICE_SERVERS = {
    "type": "array",
    "items": {"type": "object"},
    "description": "RTCIceServer objects for RTCPeerConnection (WEBRTC_ICE_SERVERS).",
}


def listed(values: list[str], description: str) -> dict:
    return {
        "type": "string",
        "x-extensible-enum": values,
        "description": f"{description} One of: {', '.join(f'`{v}`' for v in values)} "
        "(more may be added: read an unknown one as unknown).",
    }


STREAM = {
    "type": "object",
    "description": "A camera stream as a board card shows it.",
    "required": ["user_id", "name", "username", "is_active", "last_updated", "application_id"],
    "properties": {
        "user_id": {"type": "integer"},
        "name": {"type": "string"},
        "username": {"type": "string"},
        "is_active": {"type": "boolean"},
        "last_updated": TIME,
        "started_at": {**TIME, "type": ["string", "null"]},
        "application_id": {"type": ["integer", "null"]},
        "snapshot_url": {
            "type": ["string", "null"],
            "description": "The latest camera snapshot behind a signed URL; absent when the "
            "message brings no new picture (keep the one you have).",
        },
        "snapshot_at": {**TIME, "type": ["string", "null"]},
        "camera_interval": {"type": ["integer", "null"], "description": "Seconds."},
        "incident": {
            "type": ["object", "null"],
            "description": "The newest ongoing integrity incident, or null.",
            "properties": {
                "id": {"type": "integer"},
                "type": {"type": "string"},
                "label": {"type": "string"},
                "since": TIME,
                "reason": {"type": "string"},
            },
        },
        "identity": {
            "type": ["object", "null"],
            "description": "The identity check, or null when the organization does not check "
            "identity.",
            "properties": {
                "state": {
                    "type": "string",
                    "enum": ["unverified", "verified", "mismatch", "confirmed", "rejected"],
                },
                "label": {"type": "string"},
            },
        },
        "ended_by": {
            "type": "string",
            "description": '"timeout" when the camera went silent (stream.ended only).',
        },
        "job_id": {"type": ["integer", "null"]},
        "job_title": {"type": ["string", "null"]},
        "assigned_reviewer_id": {
            "type": ["integer", "null"],
            "description": 'The recruiter the interview is assigned to ("my candidates").',
        },
        "hand_raised_at": {
            **TIME,
            "type": ["string", "null"],
            "description": "The candidate's hand is up since then (snapshot only; then "
            "hand.raised / hand.lowered).",
        },
    },
}

TEXT = {"type": "string", "description": "At most MESSAGE_MAX_CHARS (1000) characters."}
PROCTOR_MESSAGE = {
    "id": {"type": "integer"},
    "from": {
        "type": "object",
        "required": ["side", "name"],
        "properties": {
            "side": listed(["candidate", "reviewer"], "Who wrote it."),
            "name": {"type": "string"},
        },
    },
    "text": {"type": "string"},
    "warning": {"type": "boolean", "description": "A reviewer's warning."},
    "sent_at": TIME,
    "user_id": {"type": "integer", "description": "The candidate of the conversation."},
    "application_id": {"type": "integer"},
}
HAND = {
    "user_id": {"type": "integer"},
    "application_id": {"type": "integer"},
    "name": {"type": "string", "description": "The candidate."},
    "at": TIME,
    "by": listed(
        ["candidate", "reviewer"], "Who raised or lowered it (a reviewer's answer lowers it)."
    ),
    "by_name": {"type": "string", "description": "The reviewer who answered (lowered only)."},
}
HAND_REQUIRED = ("user_id", "application_id", "name", "at", "by")
TERMINATED = {
    "user_id": {"type": "integer"},
    "application_id": {"type": "integer"},
    "name": {"type": "string", "description": "The candidate."},
    "reason": {"type": "string"},
    "at": TIME,
}


# --- The catalogue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """One message type on a socket, in one direction."""

    type: str
    summary: str
    properties: dict = field(default_factory=dict)
    required: tuple[str, ...] = ()
    handler: str = ""  # for a message a client sends: the consumer method handling it

    def payload(self) -> dict:
        return {
            "type": "object",
            "required": ["type", *self.required],
            "properties": {"type": {"type": "string", "const": self.type}, **self.properties},
        }


@dataclass(frozen=True)
class Socket:
    name: str
    address: str
    description: str
    receives: tuple[Message, ...]  # what clients send (the server receives)
    sends: tuple[Message, ...]  # what the server sends
    closes: dict[int, str]
    # Types of a family (`watch.`) this socket does not list still go to the family's handler,
    # which refuses them in the family's own way (`watch.error` `invalid`).
    families: dict[str, str] = field(default_factory=dict)

    def handler_for(self, message_type: str) -> str | None:
        """The consumer method for a message a client sent, or None: refused `invalid`."""
        for message in self.receives:
            if message.type == message_type:
                return message.handler
        for prefix, handler in self.families.items():
            if message_type.startswith(prefix):
                return handler
        return None

    def refusal(self) -> str:
        if not self.receives:
            return "This socket only sends; it takes no message."
        return f"This socket takes: {', '.join(m.type for m in self.receives)}."


ERROR = Message(
    "error",
    "A frame the socket could not take; the socket stays open.",
    {
        "code": listed(
            ["invalid", "message_too_large", "rate_limited", "not_visible", "too_long"],
            "Why: not JSON, not an object with a string `type`, a type this socket does not "
            "take, a bad field; above WEBSOCKET_MAX_MESSAGE_BYTES; too many of a type "
            "(RATE_LIMIT_SOCKET_*); the candidate (or interview) is not in this socket's "
            "scope or not under way; a message above MESSAGE_MAX_CHARS.",
        ),
        "message": {"type": "string"},
        "retry_after": {"type": "integer", "description": "Seconds (rate_limited only)."},
        "refused": {
            "type": "string",
            "description": "The type of the message refused "
            "(message.send, hand.raise, hand.lower).",
        },
        "user_id": {"description": "As sent in the refused message.send."},
    },
    ("code", "message"),
)
WATCH_ERROR = Message(
    "watch.error",
    "A watch request or signal refused; nothing was relayed.",
    {
        "code": listed(
            ["not_visible", "not_live", "too_many_viewers", "consent_outdated", "invalid"],
            "Why: the candidate is not on this board; their camera or page is not live; "
            "LIVE_VIEWERS_MAX reviewers already watch; the candidate has not agreed to the "
            "current notice (they are asked again); a malformed or foreign message.",
        ),
        "message": {"type": "string"},
        "watch_id": WATCH_ID,
        "user_id": {"description": "As sent in the refused watch.request."},
    },
    ("code", "message"),
)
WATCH_END = Message(
    "watch.end",
    "The watch ended (the other side, the camera, the interview, a closed socket).",
    {
        "watch_id": WATCH_ID,
        "reason": listed(list(LiveWatch.EndReason.values), "Why it ended."),
    },
    ("watch_id", "reason"),
)
WATCH_END_ASKED = Message(
    "watch.end",
    "End this watch; the other side hears watch.end.",
    {"watch_id": WATCH_ID},
    ("watch_id",),
    handler="handle_watch",
)
WATCH_ICE = Message(
    "watch.ice",
    "An ICE candidate for the other side of the watch.",
    {"watch_id": WATCH_ID, "candidate": ICE},
    ("watch_id", "candidate"),
)
MESSAGE = Message(
    "message",
    "A message or warning of the conversation with a candidate (either side; each socket "
    "also hears its own, with the id the server gave it).",
    PROCTOR_MESSAGE,
    ("id", "from", "text", "warning", "sent_at", "user_id", "application_id"),
)
HAND_RAISED = Message("hand.raised", "The candidate asks for help.", HAND, HAND_REQUIRED)
HAND_LOWERED = Message(
    "hand.lowered", "The candidate lowered their hand, or a reviewer answered.", HAND, HAND_REQUIRED
)
INTERVIEW_TERMINATED = Message(
    "interview.terminated",
    "A reviewer ended the interview (POST /api/applications/{id}/terminate/): the page stops "
    "camera, screen and captures at once and shows the reason.",
    TERMINATED,
    ("user_id", "application_id", "name", "reason", "at"),
)
WATCH_ICE_SENT = Message(
    WATCH_ICE.type, WATCH_ICE.summary, WATCH_ICE.properties, WATCH_ICE.required, "handle_watch"
)

BOARD = Socket(
    name="board",
    address="/ws/camera/streams/",
    description=(
        "The live board of a recruiter or admin: one `snapshot` on connect (and on request), "
        "then a message per stream change, scoped like GET /api/camera/active-streams. "
        "Authenticated by the session cookie; the Origin must be the site's own."
    ),
    receives=(
        Message("snapshot", "Send the full snapshot again.", handler="on_snapshot"),
        Message(
            "watch.request",
            "Ask to watch a candidate's camera live.",
            {"user_id": {"type": "integer", "description": "The candidate."}},
            ("user_id",),
            handler="handle_watch",
        ),
        Message(
            "watch.answer",
            "The reviewer's WebRTC answer to the candidate's offer.",
            {"watch_id": WATCH_ID, "sdp": SDP},
            ("watch_id", "sdp"),
            handler="handle_watch",
        ),
        WATCH_ICE_SENT,
        WATCH_END_ASKED,
        Message(
            "message.send",
            "Write to (or warn) a candidate on this board's scope whose interview is under "
            "way; the candidate's page gets it now, or when it connects. Sending answers a "
            "raised hand.",
            {
                "user_id": {"type": "integer", "description": "The candidate."},
                "text": TEXT,
                "warning": {"type": "boolean", "description": "A warning (default false)."},
            },
            ("user_id", "text"),
            handler="on_message_send",
        ),
    ),
    sends=(
        Message(
            "snapshot",
            "Every live stream this board may see.",
            {
                "streams": {"type": "array", "items": STREAM},
                "timeout": {
                    "type": "integer",
                    "description": "CAMERA_STREAM_TIMEOUT: a stream silent this long ends.",
                },
                "server_time": TIME,
                "warnings": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "The organization's warning templates.",
                },
            },
            ("streams", "timeout", "server_time"),
        ),
        Message("stream.started", "A camera turned on.", {"stream": STREAM}, ("stream",)),
        Message(
            "stream.updated",
            "A live stream changed (heartbeat, snapshot, incident).",
            {"stream": STREAM},
            ("stream",),
        ),
        Message(
            "stream.ended",
            "A camera turned off, went silent, or left this board's scope.",
            {"stream": STREAM},
            ("stream",),
        ),
        Message(
            "watch.request",
            "The watch this board asked for, named (echo): wait for the offer.",
            {"watch_id": WATCH_ID, "ice_servers": ICE_SERVERS, "user_id": {"type": "integer"}},
            ("watch_id", "ice_servers", "user_id"),
        ),
        Message(
            "watch.offer",
            "The candidate's WebRTC offer.",
            {"watch_id": WATCH_ID, "sdp": SDP},
            ("watch_id", "sdp"),
        ),
        WATCH_ICE,
        WATCH_END,
        WATCH_ERROR,
        MESSAGE,
        HAND_RAISED,
        HAND_LOWERED,
        INTERVIEW_TERMINATED,
        ERROR,
    ),
    closes={
        4401: "Not signed in, or the sign-in ended (signed out, password changed).",
        4403: "Signed in, but not a recruiter or admin.",
        4503: "The server cannot serve a board right now (channel layer down): reconnect "
        "with backoff.",
    },
    families={"watch.": "handle_watch"},
)

PRESENCE = Socket(
    name="presence",
    address="/ws/camera/presence/",
    description=(
        "The candidate's interview page: heartbeats of a camera turned on through POST "
        "/api/camera/status, the candidate's side of live video, and live proctoring "
        "(messages, a raised hand, the end of the interview). What reviewers wrote while no "
        "page was open arrives on connect. Authenticated by the "
        "session cookie; the Origin must be the site's own."
    ),
    receives=(
        Message(
            "heartbeat",
            "The camera is still on (every few seconds).",
            {"application_id": {"type": "integer", "description": "The interview."}},
            handler="on_heartbeat",
        ),
        Message(
            "watch.offer",
            "The candidate's WebRTC offer, answering a watch.request.",
            {"watch_id": WATCH_ID, "sdp": SDP},
            ("watch_id", "sdp"),
            handler="handle_watch",
        ),
        WATCH_ICE_SENT,
        WATCH_END_ASKED,
        Message(
            "message.send",
            "Write to the reviewers of the interview under way.",
            {"text": TEXT, "application_id": {"type": "integer", "description": "Optional."}},
            ("text",),
            handler="on_message_send",
        ),
        Message(
            "hand.raise",
            "Ask for help: every board in scope shows it until a reviewer answers.",
            {"application_id": {"type": "integer", "description": "Optional."}},
            handler="on_hand",
        ),
        Message(
            "hand.lower",
            "Stop asking for help.",
            {"application_id": {"type": "integer", "description": "Optional."}},
            handler="on_hand",
        ),
    ),
    sends=(
        Message(
            "ack",
            "A heartbeat was taken; the server's clock, to date captures by.",
            {"server_time": TIME},
            ("server_time",),
        ),
        Message(
            "stale",
            "The stream is not live any more: ask POST /api/camera/status (a 409 says why).",
        ),
        Message(
            "check",
            "What the checks of the candidate's newest analysed camera frame say: `check` is "
            "the check it fails (`no_face`, `multiple_faces`, `camera_covered`, "
            "`frozen_frame`) or null, `since` when the frames began failing it, `message` what "
            "to do, in plain words. The page shows it once it has lasted a few seconds.",
            {
                "check": {"type": ["string", "null"]},
                "since": {**TIME, "type": ["string", "null"]},
                "message": {"type": ["string", "null"]},
            },
            ("check", "since", "message"),
        ),
        Message(
            "watch.request",
            "A reviewer asks to watch: answer with watch.offer (the page says who watches).",
            {"watch_id": WATCH_ID, "ice_servers": ICE_SERVERS, "viewer_name": {"type": "string"}},
            ("watch_id", "ice_servers", "viewer_name"),
        ),
        Message(
            "watch.answer",
            "The reviewer's WebRTC answer.",
            {"watch_id": WATCH_ID, "sdp": SDP},
            ("watch_id", "sdp"),
        ),
        WATCH_ICE,
        WATCH_END,
        WATCH_ERROR,
        MESSAGE,
        HAND_RAISED,
        HAND_LOWERED,
        INTERVIEW_TERMINATED,
        ERROR,
    ),
    closes={4401: "Not signed in, or the sign-in ended (signed out, password changed)."},
    families={"watch.": "handle_watch"},
)

SOCKETS = (BOARD, PRESENCE)
