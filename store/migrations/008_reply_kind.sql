-- What kind of answer an incoming event got ("answer", "error", "confirmation", ...), so that an
-- edit of the event can be handled as users expect (issue 11): an answered read-only question gets
-- its answer edited, a failed one is answered anew, a side-effecting command is not run twice.
ALTER TABLE handled_events ADD COLUMN reply_kind TEXT;
