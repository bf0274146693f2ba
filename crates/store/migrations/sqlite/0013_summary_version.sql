-- The progress summary's version: every write that can change what a walker's progress summary
-- shows (their logged sessions, plans and planned sessions, progression rules and pauses) bumps
-- their summary_version in the same transaction, by these triggers, so no write path can forget
-- it. A server may then keep a summary computed at one version and serve it only while the
-- version it reads with the caller's token is still that one.
ALTER TABLE users ADD COLUMN summary_version BIGINT NOT NULL DEFAULT 0;

CREATE TRIGGER logged_sessions_insert_bumps_summary AFTER INSERT ON logged_sessions BEGIN
    UPDATE users SET summary_version = summary_version + 1 WHERE id IN (NEW.user_id);
END;
CREATE TRIGGER logged_sessions_update_bumps_summary AFTER UPDATE ON logged_sessions BEGIN
    UPDATE users SET summary_version = summary_version + 1 WHERE id IN (OLD.user_id, NEW.user_id);
END;
CREATE TRIGGER logged_sessions_delete_bumps_summary AFTER DELETE ON logged_sessions BEGIN
    UPDATE users SET summary_version = summary_version + 1 WHERE id IN (OLD.user_id);
END;
CREATE TRIGGER plans_insert_bumps_summary AFTER INSERT ON plans BEGIN
    UPDATE users SET summary_version = summary_version + 1 WHERE id IN (NEW.user_id);
END;
CREATE TRIGGER plans_update_bumps_summary AFTER UPDATE ON plans BEGIN
    UPDATE users SET summary_version = summary_version + 1 WHERE id IN (OLD.user_id, NEW.user_id);
END;
CREATE TRIGGER plans_delete_bumps_summary AFTER DELETE ON plans BEGIN
    UPDATE users SET summary_version = summary_version + 1 WHERE id IN (OLD.user_id);
END;
CREATE TRIGGER progression_rules_insert_bumps_summary AFTER INSERT ON progression_rules BEGIN
    UPDATE users SET summary_version = summary_version + 1 WHERE id IN (NEW.walker_id);
END;
CREATE TRIGGER progression_rules_update_bumps_summary AFTER UPDATE ON progression_rules BEGIN
    UPDATE users SET summary_version = summary_version + 1 WHERE id IN (OLD.walker_id, NEW.walker_id);
END;
CREATE TRIGGER progression_rules_delete_bumps_summary AFTER DELETE ON progression_rules BEGIN
    UPDATE users SET summary_version = summary_version + 1 WHERE id IN (OLD.walker_id);
END;
CREATE TRIGGER progression_pauses_insert_bumps_summary AFTER INSERT ON progression_pauses BEGIN
    UPDATE users SET summary_version = summary_version + 1 WHERE id IN (NEW.walker_id);
END;
CREATE TRIGGER progression_pauses_update_bumps_summary AFTER UPDATE ON progression_pauses BEGIN
    UPDATE users SET summary_version = summary_version + 1 WHERE id IN (OLD.walker_id, NEW.walker_id);
END;
CREATE TRIGGER progression_pauses_delete_bumps_summary AFTER DELETE ON progression_pauses BEGIN
    UPDATE users SET summary_version = summary_version + 1 WHERE id IN (OLD.walker_id);
END;
CREATE TRIGGER planned_sessions_insert_bumps_summary AFTER INSERT ON planned_sessions BEGIN
    UPDATE users SET summary_version = summary_version + 1
    WHERE id IN (SELECT user_id FROM plans WHERE id IN (NEW.plan_id));
END;
CREATE TRIGGER planned_sessions_update_bumps_summary AFTER UPDATE ON planned_sessions BEGIN
    UPDATE users SET summary_version = summary_version + 1
    WHERE id IN (SELECT user_id FROM plans WHERE id IN (OLD.plan_id, NEW.plan_id));
END;
CREATE TRIGGER planned_sessions_delete_bumps_summary AFTER DELETE ON planned_sessions BEGIN
    UPDATE users SET summary_version = summary_version + 1
    WHERE id IN (SELECT user_id FROM plans WHERE id IN (OLD.plan_id));
END;
