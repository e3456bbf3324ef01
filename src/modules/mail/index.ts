export { enqueueMail } from './outbox';
export { startMailSender, type MailSender } from './sender';
export { accountExistsMail, invitationMail, passwordResetMail, signUpMail, verificationMail } from './templates';
