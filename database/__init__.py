"""The one SQL database shared by the gateway, the action server and Rasa's tracker store."""
