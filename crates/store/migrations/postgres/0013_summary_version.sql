-- The progress summary's version: every write that can change what a walker's progress summary
-- shows (their logged sessions, plans and planned sessions, progression rules and pauses) bumps
-- their summary_version in the same transaction, by these triggers, so no write path can forget
-- it. A server may then keep a summary computed at one version and serve it only while the
-- version it reads with the caller's token is still that one.
ALTER TABLE users ADD COLUMN summary_version BIGINT NOT NULL DEFAULT 0;

-- One function per way a row names its walker. AFTER ROW triggers run at the end of their
-- statement, so the users row is locked after the rows the statement changed.
CREATE FUNCTION bump_summary_by_user_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE users SET summary_version = summary_version + 1 WHERE id = OLD.user_id;
    ELSE
        UPDATE users SET summary_version = summary_version + 1 WHERE id = NEW.user_id;
    END IF;
    RETURN NULL;
END;
$$;
CREATE FUNCTION bump_summary_by_walker_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE users SET summary_version = summary_version + 1 WHERE id = OLD.walker_id;
    ELSE
        UPDATE users SET summary_version = summary_version + 1 WHERE id = NEW.walker_id;
    END IF;
    RETURN NULL;
END;
$$;
CREATE FUNCTION bump_summary_by_plan_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE users SET summary_version = summary_version + 1
        WHERE id = (SELECT user_id FROM plans WHERE id = OLD.plan_id);
    ELSE
        UPDATE users SET summary_version = summary_version + 1
        WHERE id = (SELECT user_id FROM plans WHERE id = NEW.plan_id);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER logged_sessions_bumps_summary AFTER INSERT OR UPDATE OR DELETE ON logged_sessions
    FOR EACH ROW EXECUTE FUNCTION bump_summary_by_user_id();
CREATE TRIGGER plans_bumps_summary AFTER INSERT OR UPDATE OR DELETE ON plans
    FOR EACH ROW EXECUTE FUNCTION bump_summary_by_user_id();
CREATE TRIGGER progression_rules_bumps_summary AFTER INSERT OR UPDATE OR DELETE ON progression_rules
    FOR EACH ROW EXECUTE FUNCTION bump_summary_by_walker_id();
CREATE TRIGGER progression_pauses_bumps_summary AFTER INSERT OR UPDATE OR DELETE ON progression_pauses
    FOR EACH ROW EXECUTE FUNCTION bump_summary_by_walker_id();
CREATE TRIGGER planned_sessions_bumps_summary AFTER INSERT OR UPDATE OR DELETE ON planned_sessions
    FOR EACH ROW EXECUTE FUNCTION bump_summary_by_plan_id();
