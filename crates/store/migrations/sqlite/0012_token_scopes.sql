-- What an API token may reach: everything its account may ('full', every token made before),
-- or only the clinician routes ('clinician'), or only reading them ('clinician_read').
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'full';
