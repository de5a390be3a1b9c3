-- Conversation contexts for follow-up questions, and which bot message answered which question.
-- Both are short-lived: contexts expire 15 minutes after the question (bot.context.CONTEXT_LIFETIME),
-- sent-reply links after one day, and expired rows are purged.

-- anchor: empty for the room or direct chat as a whole, "thread:<thread id>" for one thread,
-- "msg:<incoming message id>" for one answered question (found again by a reply to the answer).
CREATE TABLE conversation_contexts (
    platform TEXT NOT NULL,
    room_id TEXT NOT NULL,                  -- Matrix room id, Teams conversation id without thread suffix
    anchor TEXT NOT NULL,
    user_id TEXT NOT NULL,                  -- who asked: listed by meine-daten, deleted by daten-loeschen
    context TEXT NOT NULL,                  -- bot.context.ConversationContext as JSON
    updated_at TEXT NOT NULL,               -- UTC, ISO 8601 with microseconds
    PRIMARY KEY (platform, room_id, anchor)
);
CREATE INDEX conversation_contexts_by_time ON conversation_contexts (updated_at);
CREATE INDEX conversation_contexts_by_user ON conversation_contexts (platform, user_id);

-- One row per message the bot sent as an answer (a split Teams answer or a Matrix file: several).
CREATE TABLE sent_replies (
    platform TEXT NOT NULL,
    room_id TEXT NOT NULL,
    sent_id TEXT NOT NULL,                  -- Matrix event id or Teams activity id of the bot message
    question_id TEXT NOT NULL,              -- id of the incoming message it answered
    sent_at TEXT NOT NULL,                  -- UTC, ISO 8601 with microseconds
    PRIMARY KEY (platform, room_id, sent_id)
);
CREATE INDEX sent_replies_by_time ON sent_replies (sent_at);
