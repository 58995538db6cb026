import { AlreadyExistsError, NotFoundError } from '../../../common/errors';
import type { Pagination } from '../../models';
import { applyUserPatch, UsersPort, type User, type UserPatch } from '../../ports';
import { compareNames, copy, paginate } from '../memory-state';
import { space, type MemoryIdentityState } from './memory-identity-state';

/** Users in process memory. */
export class MemoryUsers extends UsersPort {
  constructor(private readonly state: MemoryIdentityState) {
    super();
  }

  createUser(user: User): Promise<User> {
    return this.state.exclusive(() => {
      if (this.state.users.has(user.id)) throw new AlreadyExistsError('user', user.username);
      if (this.findUser(user.tenantId, user.username)) throw new AlreadyExistsError('user', user.username);
      this.state.users.set(user.id, copy(user));
      return copy(user);
    });
  }

  async getUser(tenantId: string | null, id: string): Promise<User | null> {
    const user = this.state.userIn(tenantId, id);
    return user ? copy(user) : null;
  }

  async findUserByUsername(tenantId: string | null, username: string): Promise<User | null> {
    const user = this.findUser(tenantId, username);
    return user ? copy(user) : null;
  }

  private findUser(tenantId: string | null, username: string): User | undefined {
    for (const user of this.state.users.values()) {
      if (user.username === username && space(user.tenantId) === space(tenantId)) return user;
    }
    return undefined;
  }

  async listUsers(tenantId: string, page?: Pagination): Promise<User[]> {
    const rows = [...this.state.users.values()].filter((u) => u.tenantId === tenantId);
    rows.sort((a, b) => compareNames(a.username, b.username) || compareNames(a.id, b.id));
    return paginate(rows, page).map(copy);
  }

  updateUser(tenantId: string | null, id: string, patch: UserPatch, now: Date): Promise<User> {
    return this.state.exclusive(() => {
      const stored = this.state.userIn(tenantId, id);
      if (!stored) throw new NotFoundError('user', id, 'User not found');
      const updated: User = { ...applyUserPatch(stored, patch), updatedAt: now };
      this.state.users.set(id, copy(updated));
      return copy(updated);
    });
  }

  deleteUser(tenantId: string | null, id: string): Promise<void> {
    return this.state.exclusive(() => {
      if (!this.state.userIn(tenantId, id)) throw new NotFoundError('user', id, 'User not found');
      this.state.removeUser(id);
    });
  }
}
