"""Log filters of the site's handlers (config.settings LOGGING)."""

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """A request answered with a 4xx is the client's doing: Django still logs some at ERROR
    with a traceback (django.security for a foreign Host header or a malformed body, each a
    400). Records that carry such a `status_code` are written as one WARNING line; only 5xx
    keep ERROR and their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500 and record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info = record.exc_text = None
        return True
