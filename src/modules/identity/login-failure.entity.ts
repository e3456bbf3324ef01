import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Failed sign-ins per email, to slow down password guessing. Internal only. */
@Entity('login_failures')
export class LoginFailure {
  @PrimaryColumn() email: string;
  @Column({ type: 'int' }) failures: number;
  @Column({ name: 'last_failed_at', type: 'timestamptz' }) lastFailedAt: Date;
}
