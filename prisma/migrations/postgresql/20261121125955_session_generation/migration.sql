-- AlterTable
ALTER TABLE "CallSession" ADD COLUMN     "generation" INTEGER NOT NULL DEFAULT 0;
