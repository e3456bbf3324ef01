process.env.NODE_ENV = 'test';
process.env.JWT_SECRET ??= 'test-secret-test-secret-test-secret-0123456789';
// Test files sign up many organisations from one address; the limits' own tests set theirs.
process.env.SIGNUP_MAX_PER_ADDRESS ??= '1000000';
process.env.SIGNUP_MAX_GLOBAL ??= '10000000';
