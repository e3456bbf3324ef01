export { enqueueMail, link, outboxSignal, type OutgoingMail } from './outbox';
export { startMailSender, type MailSender } from './sender';
export { invitationMail, verificationMail } from './templates';
