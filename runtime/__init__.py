"""The running stack: start, watch and restart the processes (Rasa, action server, gateway) and their configuration."""
