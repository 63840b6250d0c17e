"""Machine-translation backends behind one interface (see base.py); the registry maps names to classes."""
