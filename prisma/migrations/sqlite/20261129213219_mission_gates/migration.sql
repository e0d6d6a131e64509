-- AlterTable
ALTER TABLE "Approval" ADD COLUMN "gateId" TEXT;
ALTER TABLE "Approval" ADD COLUMN "runId" TEXT;
ALTER TABLE "Approval" ADD COLUMN "selectionJson" TEXT;

-- CreateIndex
CREATE INDEX "Approval_runId_idx" ON "Approval"("runId");
