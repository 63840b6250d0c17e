"""Run every benchmark in turn (`make bench`)."""

import sys

from bench import (
    channel_latency,
    language_id,
    message_path,
    nlu_crosslingual,
    nlu_quality,
    proactive_latency,
    ticket_package,
    translation_path,
    translation_quality,
    turn_profile,
    widget_connections,
)

if __name__ == "__main__":
    sys.argv = sys.argv[:1]  # each bench with its defaults
    for bench in (nlu_quality, nlu_crosslingual, language_id, translation_quality, message_path, translation_path,
                  ticket_package, widget_connections, channel_latency, proactive_latency, turn_profile):
        bench.main()
