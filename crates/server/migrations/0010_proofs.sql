-- Proof of work (docs/review.md): each solved challenge is accepted once. A row is kept until
-- its challenge expires (then it could not be answered anyway) and removed after that.
CREATE TABLE used_proofs (
    challenge TEXT PRIMARY KEY,        -- hex SHA-256, as issued
    expires BIGINT NOT NULL            -- Unix seconds
);
CREATE INDEX used_proofs_by_expiry ON used_proofs (expires);
