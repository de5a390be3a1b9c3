-- Bot Framework conversation references (Microsoft Teams): where the bot may send proactive messages
-- (reminders, notifications) also after a restart. Written from every activity of a conversation
-- (messages, conversationUpdate, installationUpdate), never deleted by a send failure: a 403 from the
-- connector (bot removed, user blocked it) only marks the row inactive.
CREATE TABLE conversation_references (
    platform TEXT NOT NULL,                 -- "teams"
    conversation_id TEXT NOT NULL,          -- Teams conversation id, a channel without the thread suffix
    reference TEXT NOT NULL,                -- JSON in Bot Framework wire format: channelId, serviceUrl, conversation, bot
    conversation_type TEXT,                 -- personal, groupChat or channel
    tenant_id TEXT,
    active INTEGER NOT NULL DEFAULT 1,      -- 0 after a 403 or when the bot was removed
    inactive_reason TEXT,
    updated_at TEXT NOT NULL,               -- UTC, ISO 8601
    PRIMARY KEY (platform, conversation_id)
);
