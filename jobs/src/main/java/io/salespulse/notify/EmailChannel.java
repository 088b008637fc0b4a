package io.salespulse.notify;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import java.time.Duration;
import java.util.Date;
import java.util.Properties;

/** Alert e-mail over SMTP (Jakarta Mail): STARTTLS and login as configured, plain text, UTF-8. */
final class EmailChannel implements AlertChannel {

    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final InternetAddress from;
    private final InternetAddress[] to;
    private final Session session;

    EmailChannel(String host, int port, boolean startTls, String user, String password, String from, String to,
                 Duration timeout) {
        this.host = host;
        this.port = port;
        this.user = user == null || user.isBlank() ? null : user;
        this.password = password;
        try {
            this.from = new InternetAddress(from, true);
            this.to = InternetAddress.parse(to, true);
        } catch (AddressException e) {
            throw new IllegalArgumentException("alerts.smtp.from / alerts.smtp.to: not an e-mail address list: " + e.getMessage());
        }
        if (this.to.length == 0) {
            throw new IllegalArgumentException("alerts.smtp.to: no recipient");
        }
        Properties p = new Properties();
        p.put("mail.smtp.host", host);
        p.put("mail.smtp.port", Integer.toString(port));
        p.put("mail.smtp.starttls.enable", Boolean.toString(startTls));
        p.put("mail.smtp.starttls.required", Boolean.toString(startTls));
        p.put("mail.smtp.auth", Boolean.toString(this.user != null));
        String ms = Long.toString(timeout.toMillis());
        p.put("mail.smtp.connectiontimeout", ms);
        p.put("mail.smtp.timeout", ms);
        p.put("mail.smtp.writetimeout", ms);
        this.session = Session.getInstance(p);
    }

    @Override
    public String name() {
        return "email";
    }

    /** Host, port and how many recipients; never the addresses (no e-mail address outside bronze). */
    @Override
    public String target() {
        return "smtp://" + host + ":" + port + " (" + to.length + " recipient" + (to.length == 1 ? "" : "s") + ")";
    }

    @Override
    public void send(AlertMessage message) throws DeliveryException {
        try {
            MimeMessage mail = new MimeMessage(session);
            mail.setFrom(from);
            mail.setRecipients(Message.RecipientType.TO, to);
            mail.setSubject(message.subject(), "UTF-8");
            mail.setText(message.text(), "UTF-8");
            mail.setSentDate(new Date());
            if (user != null) {
                Transport.send(mail, user, password == null ? "" : password);
            } else {
                Transport.send(mail);
            }
        } catch (AuthenticationFailedException e) {
            throw new DeliveryException(target() + ": login refused for the configured user", false);
        } catch (SendFailedException e) {
            throw new DeliveryException(target() + ": recipients refused: " + oneLine(e), false);
        } catch (MessagingException e) {
            throw new DeliveryException(target() + ": " + oneLine(e), true);
        }
    }

    private static String oneLine(Exception e) {
        Throwable t = e;
        StringBuilder b = new StringBuilder();
        while (t != null && b.length() < 300) {
            if (t.getMessage() != null) {
                b.append(b.length() == 0 ? "" : ": ").append(t.getMessage());
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return b.toString().replaceAll("\\s+", " ").trim();
    }
}
