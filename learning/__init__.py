"""How the assistant learns: the misunderstood inbox, training data, training and evaluation jobs, the model
registry and switching the model Rasa serves."""
