"""Pioneer's data plane: fine-tune, predict and embed small pretrained language models.

Launched by the TypeScript control plane (trainer/launcher.ts). Speaks JSON: a job spec in,
JSON-lines events out on stdout (see events.py); logs go to stderr.
"""

__version__ = "0.1.0"
