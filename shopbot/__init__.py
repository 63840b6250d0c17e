"""The `shopbot` command: set-up, training, running and inspecting the assistant."""
