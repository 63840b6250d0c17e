"""Run every benchmark in turn (`make bench`)."""

from bench import message_path, nlu_quality

if __name__ == "__main__":
    for bench in (nlu_quality, message_path):
        bench.main()
