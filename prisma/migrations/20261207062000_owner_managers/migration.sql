-- An owner's member may be its manager: they invite and remove the owner's people (the Team page). Admins make
-- and unmake managers; everyone already a member stays a plain member.
ALTER TABLE "owner_members" ADD COLUMN "role" TEXT NOT NULL DEFAULT 'member',
    ADD CONSTRAINT "owner_members_role" CHECK ("role" IN ('member', 'manager'));
