"""`python -m gateway [--host H] [--port P]`: the gateway under uvicorn, as `shopbot run` starts it.

Widget frames are answered with an error above the body limit; far above it (a 10 MB frame) uvicorn closes the
socket before buffering them (its own default allows 16 MiB).
"""

import argparse

import uvicorn

from gateway.settings import get_settings


def main() -> None:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m gateway", description=__doc__)
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int, default=settings.port)
    args = parser.parse_args()
    uvicorn.run("gateway.app:app", host=args.host, port=args.port, access_log=False,
                ws_max_size=4 * settings.max_body_bytes)


if __name__ == "__main__":
    main()
