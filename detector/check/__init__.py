"""``detector check``: the CI gate on content.

Modules: ``config`` ([tool.detector] / detector.toml, validated), ``files`` (paths and globs -> files),
``locations`` (text offsets -> line and column of the original file), ``baseline`` (accepted findings by
fingerprint), ``run`` (scan, locate, allowlist, baseline, exit code) and ``formats`` (text, json, sarif,
junit, github). The library never prints; ``detector/cli/check.py`` is the command.
"""
