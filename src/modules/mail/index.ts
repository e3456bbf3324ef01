export { enqueueMail, link, outboxSignal, type OutgoingMail } from './outbox';
export { startMailSender, type MailSender } from './sender';
export { accountExistsMail, invitationMail, passwordResetMail, signUpMail, verificationMail } from './templates';
