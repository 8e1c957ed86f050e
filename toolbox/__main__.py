"""``python -m toolbox …`` runs the same command line as the installed ``toolbox`` script, for
hosts where only the interpreter is on the PATH (a virtualenv not activated, a container's
entry point)."""
from .cli import main

if __name__ == "__main__":
    main()
