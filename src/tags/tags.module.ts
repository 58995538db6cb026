import { Module } from '@nestjs/common';
import { TagsController } from './tags.controller';
import { TagsService } from './tags.service';

/** `/api/v1/tags`. The ports come from the global PersistenceModule. */
@Module({
  controllers: [TagsController],
  providers: [TagsService],
})
export class TagsModule {}
