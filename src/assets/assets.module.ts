import { Module } from '@nestjs/common';
import { AssetsController } from './assets.controller';
import { AssetsService } from './assets.service';

/** Generic asset registration. The ports come from the global PersistenceModule. */
@Module({
  controllers: [AssetsController],
  providers: [AssetsService],
})
export class AssetsModule {}
