-- Version 2: the QR code an account waits on, so that the API can show it from the
-- store (PostgreSQL's version 2 adds it too, with the leases of several nodes).
ALTER TABLE accounts ADD COLUMN qr_url TEXT;
