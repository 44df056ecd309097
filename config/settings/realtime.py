"""Redis, the channel layer, camera presence and live video."""

from .base import env

# --- Redis: channel layer, Celery, presence ------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    # "core": channels_redis's list-based layer — group_send pushes one copy per member
    # channel. "pubsub": its publish/subscribe layer — one message per group, each ASGI
    # process delivers it to its own sockets (bench/presence.py measures both).
    CHANNEL_LAYER = env.str("CHANNEL_LAYER", default="pubsub")
    # redis-py 8 times out socket reads after 5 s, exactly channels_redis's blocking-receive
    # window: an idle board would die. Give reads more room.
    _LAYER_HOSTS = [{"address": REDIS_URL, "socket_timeout": 30, "socket_connect_timeout": 5}]
    if CHANNEL_LAYER == "pubsub":
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": _LAYER_HOSTS},
            }
        }
    else:
        CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": _LAYER_HOSTS, "capacity": 1000, "expiry": 30},
            }
        }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


# --- Product settings -----------------------------------------------------------------------
CAMERA_STREAM_TIMEOUT = env.int("CAMERA_STREAM_TIMEOUT", default=30)
CAMERA_HEARTBEAT_SECONDS = env.float("CAMERA_HEARTBEAT_SECONDS", default=10.0)
CAMERA_HEARTBEAT_FLUSH_SECONDS = env.float("CAMERA_HEARTBEAT_FLUSH_SECONDS", default=1.0)
# Streams whose heartbeats stopped leave the boards within CAMERA_STREAM_TIMEOUT + this: the
# sweep runs in the web processes every CAMERA_SWEEP_INTERVAL (with a broker: one process per
# tick, a Redis lock; common.runner.LiveTicker) or on the embedded runner — never queued behind
# a worker's backlog. Beat sweeps too, every 5 s, as a backstop.
CAMERA_SWEEP_INTERVAL = env.float("CAMERA_SWEEP_INTERVAL", default=1.0)
LIVE_SWEEPS_IN_WEB = env.bool("LIVE_SWEEPS_IN_WEB", default=True)
CAMERA_BOARD_COALESCE_SECONDS = env.float("CAMERA_BOARD_COALESCE_SECONDS", default=5.0)
# HTTP heartbeats of a stream this process found live are batched like the socket's.
CAMERA_HTTP_HEARTBEAT_BATCH = env.bool("CAMERA_HTTP_HEARTBEAT_BATCH", default=True)

# --- Watch live (cameras.watch): peer-to-peer video, signalled over our sockets -------------
LIVE_VIEWERS_MAX = env.int("LIVE_VIEWERS_MAX", default=3)  # reviewers at once per candidate
# RTCPeerConnection's iceServers, e.g. [{"urls": "turn:turn.example.com:3478", "username": "u",
# "credential": "p"}]. Empty: host candidates only (one network, loopback).
WEBRTC_ICE_SERVERS = env.json("WEBRTC_ICE_SERVERS", default=[])
# With a TURN server that checks time-limited credentials (coturn: use-auth-secret,
# static-auth-secret=<this>), each watch gets its own, valid for the watch plus a minute.
WEBRTC_TURN_SECRET = env.str("WEBRTC_TURN_SECRET", default="")
# A watch ends after this long (the board may ask again): its TURN credentials expire with it.
LIVE_WATCH_MAX_SECONDS = env.int("LIVE_WATCH_MAX_SECONDS", default=3600)

# Live proctoring (cameras.proctoring): the longest message either way, in characters.
MESSAGE_MAX_CHARS = env.int("MESSAGE_MAX_CHARS", default=1000)
