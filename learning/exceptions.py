class LearningError(Exception):
    """Base of the learning package's errors; the message is written for an admin."""


class InvalidTrainingData(LearningError):
    """Training data (a file, an example, an intent) that Rasa could not train on; says where and why."""


class UnknownIntent(LearningError):
    pass


class JobConflict(LearningError):
    """Only one training job runs at a time."""


class NotFound(LearningError):
    pass


class ActivationRefused(LearningError):
    """The candidate scored below the active model (or was never scored) and no override was given."""


class ModelSwitchFailed(LearningError):
    pass
