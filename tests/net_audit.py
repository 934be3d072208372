"""Run Streamlit with an audit hook that records every network call the server process makes.

``python tests/net_audit.py run app.py …`` (as ``streamlit run``); each socket bind, connect, sendto and name
lookup is appended to the file named by ``NET_AUDIT_LOG`` as one JSON line ``[event, host, port]``.
"""

from __future__ import annotations

import json
import os
import sys

EVENTS = {"socket.bind", "socket.connect", "socket.sendto", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr"}
_log = open(os.environ["NET_AUDIT_LOG"], "a", encoding="utf-8")  # noqa: SIM115 (open for the process's life)


def _hook(event: str, args: tuple) -> None:
    if event not in EVENTS:
        return
    try:
        if event in ("socket.bind", "socket.connect", "socket.sendto"):
            address = args[-1]
            host, port = (address[0], address[1]) if isinstance(address, tuple) else (str(address), None)
        else:
            host, port = str(args[0]), (args[1] if len(args) > 1 else None)
        _log.write(json.dumps([event, str(host), port if isinstance(port, int | str | None) else str(port)]) + "\n")
        _log.flush()
    except Exception:  # never disturb the server
        pass


sys.addaudithook(_hook)

from streamlit.web.cli import main  # noqa: E402

sys.argv = ["streamlit", *sys.argv[1:]]
sys.exit(main())
