"""The ways a delivery reaches a person, one module each: ``slack`` (a DM),
``mail`` (SMTP), ``outbox`` (``.eml`` files, for development), ``memory``
(for tests).  The contract they share is in ``base``; ``registry`` builds
the list the dispatcher tries, in the order of ``KKRBOT_CHANNELS``.

Nothing is imported here, so that ``bot.channels.outbox`` (the CLI's
erasure) does not load slack_sdk."""
