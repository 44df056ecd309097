"""The review timeline's socket in the catalogue of sockets (cameras.messages): what it sends
and how it closes. The AsyncAPI document (config.asyncapi) lists it beside the board and the
presence socket; monitoring.consumers.TimelineConsumer takes only `message.send`."""

from cameras.messages import (
    ERROR,
    HAND_LOWERED,
    HAND_RAISED,
    INTERVIEW_TERMINATED,
    MESSAGE,
    TEXT,
    TIME,
    Message,
    Socket,
    listed,
)

from .live import WHAT

TIMELINE = Socket(
    name="timeline",
    address="/ws/monitoring/timeline/{application_id}/",
    description=(
        "An open review timeline of one interview: hints that its record changed, sent after "
        "each commit; read what changed through the HTTP API (the listings, events, consent "
        "and integrity endpoints), and everything again after a reconnect. Scoped like the "
        "timeline (recruiters of the interview's organization, admins); authenticated by the "
        "session cookie; the Origin must be the site's own. It also carries the interview's "
        "live proctoring: the conversation as it happens, and `message.send` to its candidate."
    ),
    receives=(
        Message(
            "message.send",
            "Write to (or warn) this interview's candidate while it is under way (the board's "
            "rules and refusals).",
            {"text": TEXT, "warning": {"type": "boolean", "description": "Default false."}},
            ("text",),
            handler="on_message_send",
        ),
    ),
    sends=(
        Message(
            "ready",
            "The socket is listening for this interview.",
            {"application_id": {"type": "integer"}},
            ("application_id",),
        ),
        Message(
            "changed",
            "Something of the record changed: read it again.",
            {
                "what": listed(list(WHAT), "What changed."),
                "at": {
                    **TIME,
                    "type": ["string", "null"],
                    "description": "The capture or event time it concerns, when known (ISO "
                    "8601, UTC): read captures from just before it.",
                },
            },
            ("what", "at"),
        ),
        MESSAGE,
        HAND_RAISED,
        HAND_LOWERED,
        INTERVIEW_TERMINATED,
        ERROR,
    ),
    closes={
        4401: "Not signed in, or the sign-in ended (signed out, password changed, rights changed).",
        4403: "Signed in, but not a reviewer of this interview.",
        4503: "The server cannot serve the socket right now (channel layer down): reconnect "
        "with backoff.",
    },
)
