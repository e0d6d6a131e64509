-- AlterTable
ALTER TABLE "CallRecord" ADD COLUMN "instructions" TEXT;
