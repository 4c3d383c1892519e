"""``python -m emergency.demo``: the old form of ``python -m emergency demo``, kept as an alias."""

from emergency.demo import main

if __name__ == "__main__":
    raise SystemExit(main())
