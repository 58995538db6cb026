import { Injectable } from '@nestjs/common';

/** Flipped to draining first thing on shutdown so load balancers stop routing here before connections close. */
@Injectable()
export class ReadinessState {
  draining = false;
}
