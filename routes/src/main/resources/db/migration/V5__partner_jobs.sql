-- Jobs a partner accepted to process later (an Amazon feed, an OTTO price update task) whose results the hub has not
-- read yet. Kept per hub instance (owner: host and data directory), so that a restarted instance reads the results of
-- the jobs it submitted before, and a refusal the partner reports meanwhile still reaches the dead-letter queue.
CREATE TABLE partner_job (
    owner    VARCHAR(500) NOT NULL,
    partner  VARCHAR(40)  NOT NULL,
    job_key  VARCHAR(500) NOT NULL,
    job      VARCHAR      NOT NULL,
    kept_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (owner, partner, job_key)
);
