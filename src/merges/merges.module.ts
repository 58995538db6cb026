import { Module } from '@nestjs/common';
import { MergePlanner } from './merge-planner';
import { MergesController } from './merges.controller';
import { MergesService } from './merges.service';

/** Merge, rebase and merge operations. The ports come from the global PersistenceModule. */
@Module({
  controllers: [MergesController],
  providers: [MergePlanner, MergesService],
  exports: [MergesService],
})
export class MergesModule {}
